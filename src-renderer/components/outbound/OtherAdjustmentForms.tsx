import { useState, type FormEvent } from "react";
import type { AdjustmentDetail } from "../../../src-shared/api/outbound";
import { parseDecimalToCents } from "../../../src-shared/money";
import { call } from "../../api/client";

interface FormProps {
  onSaved: (detail: AdjustmentDetail) => void;
  onCancel: () => void;
}

/** Item, location, signed quantity, unit cost and reason. */
export function InventoryForm({ onSaved, onCancel }: FormProps) {
  const [fields, setFields] = useState({ item: "", location: "", quantity: "", unitCost: "", reason: "", period: "", exceptionRef: "" });
  const [message, setMessage] = useState<string | null>(null);
  const set = (name: keyof typeof fields) => (e: { target: { value: string } }) => setFields((f) => ({ ...f, [name]: e.target.value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const quantity = Number(fields.quantity);
    if (fields.quantity.trim() === "" || !Number.isFinite(quantity))
      return setMessage(`quantity: expected a number, found "${fields.quantity}"`);
    let unitCostCents: number | null = null;
    if (fields.unitCost.trim() !== "") {
      const parsed = parseDecimalToCents(fields.unitCost);
      if (!parsed.ok) return setMessage(`unit cost: ${parsed.reason}`);
      unitCostCents = parsed.cents;
    }
    call("adjustments/createInventory", {
      item: fields.item,
      location: fields.location,
      quantity,
      unitCostCents,
      reason: fields.reason,
      period: fields.period || null,
      exceptionRef: fields.exceptionRef || null,
    }).then(onSaved, (e: Error) => setMessage(e.message));
  };
  return (
    <form className="ob-editor" aria-label="Inventory adjustment" onSubmit={submit}>
      <h3>New inventory adjustment</h3>
      <div className="ob-header-fields">
        <label>
          Item
          <input value={fields.item} onChange={set("item")} />
        </label>
        <label>
          Location
          <input value={fields.location} onChange={set("location")} />
        </label>
        <label>
          Quantity (negative takes stock out)
          <input className="num" inputMode="decimal" value={fields.quantity} onChange={set("quantity")} />
        </label>
        <label>
          Unit cost
          <input className="num" inputMode="decimal" value={fields.unitCost} onChange={set("unitCost")} />
        </label>
        <label className="ob-wide">
          Reason
          <input value={fields.reason} onChange={set("reason")} />
        </label>
        <label>
          Period (optional)
          <input value={fields.period} placeholder="YYYY-MM" onChange={set("period")} />
        </label>
        <label>
          Exception
          <input value={fields.exceptionRef} onChange={set("exceptionRef")} placeholder="optional" />
        </label>
      </div>
      {message && (
        <p className="error" role="alert">
          {message}
        </p>
      )}
      <div className="ob-actions">
        <button type="submit" className="primary">
          Save draft
        </button>
        <button type="button" className="link" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Entity, key, field, the value expected now and the value it should have. */
export function MasterDataForm({ onSaved, onCancel }: FormProps) {
  const [fields, setFields] = useState({ entity: "costCenter", key: "", field: "", oldValue: "", newValue: "", exceptionRef: "" });
  const [message, setMessage] = useState<string | null>(null);
  const set = (name: keyof typeof fields) => (e: { target: { value: string } }) => setFields((f) => ({ ...f, [name]: e.target.value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    call("adjustments/createMasterDataFix", {
      entity: fields.entity,
      key: fields.key,
      field: fields.field,
      oldValue: fields.oldValue === "" ? null : fields.oldValue,
      newValue: fields.newValue === "" ? null : fields.newValue,
      exceptionRef: fields.exceptionRef || null,
    }).then(onSaved, (e: Error) => setMessage(e.message));
  };
  return (
    <form className="ob-editor" aria-label="Master-data fix" onSubmit={submit}>
      <h3>New master-data fix</h3>
      <div className="ob-header-fields">
        <label>
          Entity
          <select value={fields.entity} onChange={set("entity")}>
            {["provider", "department", "costCenter", "item", "location", "crosswalk"].map((e) => (
              <option key={e}>{e}</option>
            ))}
          </select>
        </label>
        <label>
          Key
          <input value={fields.key} onChange={set("key")} />
        </label>
        <label>
          Field
          <input value={fields.field} onChange={set("field")} />
        </label>
        <label>
          Old value
          <input value={fields.oldValue} onChange={set("oldValue")} />
        </label>
        <label>
          New value
          <input value={fields.newValue} onChange={set("newValue")} />
        </label>
        <label>
          Exception
          <input value={fields.exceptionRef} onChange={set("exceptionRef")} placeholder="optional" />
        </label>
      </div>
      {message && (
        <p className="error" role="alert">
          {message}
        </p>
      )}
      <div className="ob-actions">
        <button type="submit" className="primary">
          Save draft
        </button>
        <button type="button" className="link" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
