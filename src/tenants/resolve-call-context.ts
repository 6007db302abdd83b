import type { Language } from '../../machines/call.types.js';
import { type Logger, maskPhone } from '../log.js';
import { DEFAULT_TENANT } from '../store/default-tenant.js';
import { callbackNumber, hashCaller } from '../store/phone-number.js';
import type { CallStore, Tenant } from '../store/types.js';
import { type ContextApiOptions, fetchCallContext, mergeContext } from './context-api.js';
import { languageForCaller } from './language.js';

export interface ResolveCallContextInput {
  store: CallStore;
  /** The DID as the trunk delivered it ('' when unknown). */
  dialled: string;
  /** The caller's number as delivered ('' or 'unknown' when withheld). */
  caller: string;
  /** HMAC key for the repeat-caller hash (CALLER_HASH_KEY, see loadCallerHashKey). */
  callerHashKey: string;
  /** Optional company-context service laid over the stored tenant. */
  contextApi?: ContextApiOptions;
  log: Logger;
}

/** Who is calling whom: the tenant answering, and what we know of the caller. */
export interface CallerContext {
  tenant: Tenant;
  isRepeatCaller: boolean;
  language: Language;
  /** For CallRecord / BookingInput: the number itself is stored only as a booking's callback number. */
  callerHash: string;
  callerMasked: string;
  /** Where to ring back (sealed at rest with DATA_KEY); absent when the number was withheld. */
  callbackNumber?: string;
}

/**
 * Who was called and who is calling, ready before the greeting: the stored tenant for the dialled
 * number (default tenant if none), optionally enriched by the context service, the caller's language
 * and whether they have called this company before. Nothing here can stop a call being answered: if
 * the context service fails the stored tenant is used (a warning); if the store itself fails the
 * default tenant is used and the caller is treated as new (an error).
 */
export async function resolveCallContext(input: ResolveCallContextInput): Promise<CallerContext> {
  const { store, dialled, caller, contextApi, log } = input;
  const callerHash = hashCaller(caller, input.callerHashKey);
  const callerMasked = String(maskPhone(caller) ?? '');
  const stored = await store.tenantForNumber(dialled).catch((err: unknown) => {
    log.error({ err, dialled }, 'tenant lookup failed; answering as the default tenant');
    return DEFAULT_TENANT;
  });

  let tenant = stored;
  let remoteRepeat = false;
  if (contextApi?.url) {
    try {
      const ctx = await fetchCallContext(contextApi, dialled, caller);
      tenant = mergeContext(stored, ctx);
      remoteRepeat = ctx.is_repeat === true;
    } catch (err) {
      log.warn(
        { reason: (err as Error).message, dialled, tenantId: stored.id },
        'context API unavailable; using the stored tenant',
      );
    }
  }

  const localRepeat = await store.isRepeatCaller(callerHash, tenant.id).catch((err: unknown) => {
    log.error({ err, tenantId: tenant.id }, 'repeat-caller lookup failed');
    return false;
  });
  return {
    tenant,
    isRepeatCaller: localRepeat || remoteRepeat,
    language: languageForCaller(caller, tenant.language),
    callerHash,
    callerMasked,
    ...(callbackNumber(caller) ? { callbackNumber: callbackNumber(caller) } : {}),
  };
}
