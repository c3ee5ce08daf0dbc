/**
 * Pieces every activation wizard shares: running a backend call with its
 * failure shown in words (and a way to log in again when a change needs a
 * recent login), and the Cancel / Next button row.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { Language } from '../../../shared/text/format.js';
import { BackendApiError } from '../../popup/backend-api.js';
import type { Translate } from './texts/index.js';
import { failureText } from './common.js';

/** The backend wants a fresh login for changes: say so and offer to log out and in again. */
function needsLogin(e: unknown): boolean {
  return e instanceof BackendApiError && (e.code === 'REAUTH_REQUIRED' || e.code === 'UNAUTHENTICATED');
}

export function useFailure(t: Translate, language: Language, reauth?: () => void) {
  const [error, setError] = useState<ComponentChildren>('');
  const [busy, setBusy] = useState(false);
  async function attempt<T>(action: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setError('');
    try {
      return await action();
    } catch (e) {
      setError(
        needsLogin(e) && reauth ? (
          <>
            {failureText(t, language, e)}{' '}
            <button type="button" class="link" id="reauth" onClick={reauth}>
              {t('keys.logout')}
            </button>
          </>
        ) : (
          failureText(t, language, e)
        ),
      );
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return { error, busy, attempt, setError };
}


/** Cancel, then the primary action (a form submit unless onNext is given). */
export function WizardButtons(props: { t: Translate; onCancel(): void; disabled: boolean; label?: string; onNext?(): void }) {
  const { t, onCancel, disabled, label, onNext } = props;
  return (
    <div class="buttons">
      <button type="button" onClick={onCancel}>
        {t('common.cancel')}
      </button>
      <button type={onNext ? 'button' : 'submit'} class="primary" id="wizard-next" disabled={disabled} onClick={onNext}>
        {label ?? t('common.next')}
      </button>
    </div>
  );
}
