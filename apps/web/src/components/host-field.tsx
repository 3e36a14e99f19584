'use client';
import { Field, inputClass } from '@berth/ui';

/** The Host field of a form that acts on one host when none is fixed: the online hosts, or none to pick. */
export function HostField({ hosts, value, onChange, disabled }: { hosts: string[]; value: string; onChange: (host: string) => void; disabled?: boolean | undefined }) {
  return (
    <Field label="Host" className="w-40">
      <select value={value} onChange={(e) => onChange(e.target.value)} className={inputClass} disabled={disabled}>
        {hosts.length === 0 && <option value="">no host online</option>}
        {hosts.map((h) => <option key={h} value={h}>{h}</option>)}
      </select>
    </Field>
  );
}
