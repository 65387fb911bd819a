import { useId, useRef } from "react";
import { Modal } from "./Modal";

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
  return (
    <Modal
      role="alertdialog"
      labelledBy={`${id}-title`}
      describedBy={`${id}-message`}
      controls={[confirmRef, cancelRef]}
      initial={cancelRef}
      onClose={onCancel}
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
    </Modal>
  );
}
