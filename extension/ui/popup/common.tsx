/** Small parts every popup screen uses: labelled fields, the step indicator, error lines. */
import type { ComponentChildren } from 'preact';
import { BackendApiError } from '../../popup/backend-api.js';
import { hasPopupKey, type PopupKey, type Translate } from './texts/index.js';
import type { PopupErrorPayload } from '../../popup/messages.js';
import { errorText } from '../dialog/texts/index.js';
import type { Language } from '../../../shared/text/format.js';

export interface FieldProps {
  id: string;
  label: string;
  value: string;
  onInput(value: string): void;
  type?: string;
  error?: string | undefined;
  help?: string;
  autocomplete?: string;
  inputMode?: 'numeric' | 'tel' | 'email' | 'text';
  required?: boolean;
}

export function Field(props: FieldProps) {
  const describedBy = [props.help ? `${props.id}-help` : '', props.error ? `${props.id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={props.id}>
        {props.label}
        {props.required !== false ? ' *' : ''}
      </label>
      {props.help ? (
        <p class="help" id={`${props.id}-help`}>
          {props.help}
        </p>
      ) : null}
      <input
        id={props.id}
        type={props.type ?? 'text'}
        value={props.value}
        autocomplete={props.autocomplete}
        inputMode={props.inputMode}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
      />
      {props.error ? (
        <p class="field-error" id={`${props.id}-error`} role="alert">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

/** The numbered steps at the top of a wizard, as on the government site: done ✓, current, to come. */
export function StepIndicator({ steps, current }: { steps: string[]; current: number }) {
  return (
    <ol class="steps" aria-label="steps">
      {steps.map((label, i) => (
        <li key={label} class={i < current ? 'done' : i === current ? 'current' : 'todo'} aria-current={i === current ? 'step' : undefined}>
          <span class="step-mark" aria-hidden="true">
            {i < current ? '✓' : String(i + 1)}
          </span>
          <span class="step-label">{label}</span>
        </li>
      ))}
    </ol>
  );
}

export function ErrorLine({ children, id = 'error' }: { children: ComponentChildren; id?: string }) {
  if (!children) return null;
  return (
    <p class="problem" id={id} role="alert">
      {children}
    </p>
  );
}

/** Words for a failure of the reference backend (its error code) or of the host (our error code). */
export function failureText(t: Translate, language: Language, error: unknown): string {
  if (error instanceof BackendApiError) {
    const key = `err.${error.code}`;
    const base = hasPopupKey(key) ? t(key) : t('err.other', { code: error.code });
    const left = error.details.attemptsLeft;
    return typeof left === 'number' ? `${base} ${t('err.attemptsLeft', { n: left })}` : base;
  }
  const payload = error as Partial<PopupErrorPayload> | undefined;
  if (payload?.backendCode) {
    const key = `err.${payload.backendCode}`;
    return hasPopupKey(key) ? t(key as PopupKey) : t('err.other', { code: payload.backendCode });
  }
  if (payload?.bridgeCode) return errorText(language, payload.bridgeCode);
  return t('err.other', { code: error instanceof Error ? error.message : String(error) });
}
