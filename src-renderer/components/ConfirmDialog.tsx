import { useEffect, useId, useRef } from "react";

/**
 * Asks before a change that cannot be taken back (replacing or deleting a saved view). A modal
 * alert dialog like the list of shortcuts: the focus starts on Cancel, Tab moves between the two
 * buttons, Enter answers with the focused one, Escape cancels, and the focus goes back where it was.
 */
export function ConfirmDialog({
  title,
  message,
  confirmLabel,
  onConfirm,
  onCancel,
}: {
  title: string;
  message: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const id = useId();
  const confirmRef = useRef<HTMLButtonElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    cancelRef.current?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <div className="recon-overlay" role="presentation" onClick={onCancel}>
      <div
        className="recon-dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-message`}
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            onCancel();
          } else if (e.key === "Tab") {
            // The two answers are the dialog's only controls: Tab stays between them.
            e.preventDefault();
            (document.activeElement === confirmRef.current ? cancelRef : confirmRef).current?.focus();
          }
        }}
      >
        <h3 id={`${id}-title`}>{title}</h3>
        <p id={`${id}-message`}>{message}</p>
        <div className="dialog-actions">
          <button type="button" className="primary" ref={confirmRef} onClick={onConfirm}>
            {confirmLabel}
          </button>
          <button type="button" ref={cancelRef} onClick={onCancel}>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
