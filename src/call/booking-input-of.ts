import type { BookingRequest } from '../../machines/call.types.js';
import type { BookingInput } from '../store/types.js';
import type { CallerContext } from '../tenants/resolve-call-context.js';

/**
 * What the store keeps for the chart's booking request, on every transport: the slots, the fee quoted
 * and the caller's consent, the callback number, and the revision (a correction's is above 0,
 * with the booking id the caller already heard).
 */
export function bookingInputOf(request: BookingRequest, caller: CallerContext): BookingInput {
  // A number the caller gave wins over the one they called from.
  const callback = request.callbackNumber ?? caller.callbackNumber;
  return {
    ...(request.bookingId !== undefined ? { id: request.bookingId } : {}),
    callId: request.callId,
    tenantId: caller.tenant.id,
    customerName: request.name,
    postcode: request.postcode,
    address: request.address,
    problem: request.problem,
    callerMasked: caller.callerMasked,
    callerHash: caller.callerHash,
    calloutFee: request.calloutFee,
    ...(request.consent !== undefined ? { consent: request.consent } : {}),
    ...(callback !== undefined ? { callbackNumber: callback } : {}),
    revision: request.revision,
  };
}
