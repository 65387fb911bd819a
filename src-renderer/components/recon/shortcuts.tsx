import { useEffect, useRef } from "react";
import { Modal } from "../Modal";

export interface Shortcut {
  /** The key as `KeyboardEvent.key`, e.g. "m", "/", "?", "Escape". */
  key: string;
  label: string;
  run: () => void;
  /** Disabled shortcuts are listed in the help but do nothing. */
  enabled?: boolean;
}

function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target instanceof HTMLInputElement) return !["checkbox", "radio", "button", "submit", "reset"].includes(target.type);
  return target.isContentEditable || ["TEXTAREA", "SELECT"].includes(target.tagName);
}

/**
 * Single-key shortcuts for a page. They are ignored while the user types in a field
 * (except Escape) and when a modifier is held, so Alt+1..8 and the browser's own keep working.
 */
export function useShortcuts(shortcuts: Shortcut[]): void {
  const current = useRef(shortcuts);
  useEffect(() => {
    current.current = shortcuts;
  });
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
      if (event.key !== "Escape" && typingIn(event.target)) return;
      // A modal dialog is open (the list of shortcuts): the page behind it does not act.
      if (document.querySelector('[aria-modal="true"]')) return;
      const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
      const shortcut = current.current.find((s) => s.key === key || (s.key === "?" && event.key === "?"));
      if (!shortcut || shortcut.enabled === false) return;
      event.preventDefault();
      shortcut.run();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}

export const keyLabel = (key: string): string => (key === "Escape" ? "Esc" : key.length === 1 ? key.toUpperCase() : key);

/** The list of a page's shortcuts, opened with ?. */
export function ShortcutHelp({ shortcuts, onClose }: { shortcuts: Shortcut[]; onClose: () => void }) {
  const closeRef = useRef<HTMLButtonElement>(null);
  // Close is the dialog's one control: it has the focus, and Tab stays on it.
  return (
    <Modal label="Keyboard shortcuts" controls={[closeRef]} initial={closeRef} onClose={onClose}>
      <h3>Keyboard shortcuts</h3>
      <table className="plain shortcut-table">
        <tbody>
          {shortcuts.map((s) => (
            <tr key={s.key}>
              <td>
                <kbd>{keyLabel(s.key)}</kbd>
              </td>
              <td>{s.label}</td>
            </tr>
          ))}
          <tr>
            <td>
              <kbd>Space</kbd>
            </td>
            <td>Select or unselect the focused row (in a grid)</td>
          </tr>
          <tr>
            <td>
              <kbd>Enter</kbd>
            </td>
            <td>Open the focused row (in a grid)</td>
          </tr>
          <tr>
            <td>
              <kbd>Alt</kbd>+<kbd>1</kbd>…<kbd>8</kbd>
            </td>
            <td>Go to a page</td>
          </tr>
        </tbody>
      </table>
      <button type="button" ref={closeRef} onClick={onClose}>
        Close
      </button>
    </Modal>
  );
}
