import { useEffect, type ReactNode, type RefObject } from "react";

/**
 * A modal dialog over the page: the focus starts on `initial` and goes back where it was when it
 * closes, Tab moves only among `controls` (never to the page behind), Escape and a click outside
 * close it. The shortcut list and the confirmations share it.
 */
export function Modal({
  role = "dialog",
  label,
  labelledBy,
  describedBy,
  controls,
  initial,
  onClose,
  children,
}: {
  role?: "dialog" | "alertdialog";
  label?: string;
  labelledBy?: string;
  describedBy?: string;
  controls: RefObject<HTMLElement | null>[];
  initial: RefObject<HTMLElement | null>;
  onClose: () => void;
  children: ReactNode;
}) {
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    initial.current?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
    // The dialog takes the focus once, when it opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <div className="recon-overlay" role="presentation" onClick={onClose}>
      <div
        className="recon-dialog"
        role={role}
        aria-modal="true"
        aria-label={label}
        aria-labelledby={labelledBy}
        aria-describedby={describedBy}
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            onClose();
          } else if (e.key === "Tab") {
            e.preventDefault();
            const at = controls.findIndex((c) => c.current === document.activeElement);
            const step = e.shiftKey ? -1 : 1;
            controls[(at + step + controls.length) % controls.length]?.current?.focus();
          }
        }}
      >
        {children}
      </div>
    </div>
  );
}
