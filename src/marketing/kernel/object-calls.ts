// How the worker calls a campaign's Durable Object: one way to set up an object that does not
// know its campaign yet, one answer when it still cannot serve, and refusal maps the compiler
// checks (a Record over the object's refusal type: a refusal the object learns is a compile
// error here until it has an API error).
import { ApiError } from '../../lib/errors';

/** What every object answers before it has been set up from D1. */
export type NotConfigured = 'not_configured';

/** Each refusal an object can give, but not_configured, mapped to its API error. */
export type RefusalErrors<Refusal extends string, Context = void> = Record<Exclude<Refusal, NotConfigured>, (context: Context) => ApiError>;

/** The answer while an object cannot serve its campaign yet: 503, try again in a moment. */
export const campaignUnavailable = () => new ApiError(503, 'campaign_unavailable', 'This campaign is not ready yet; try again in a moment.', [], { 'Retry-After': '1' });

/** The API error for an object's refusal. */
export function refusalError<Refusal extends string, Context>(errors: RefusalErrors<Refusal, Context>, reason: Refusal, context: Context): ApiError {
  if (reason === 'not_configured') return campaignUnavailable();
  return errors[reason as Exclude<Refusal, NotConfigured>](context);
}

const unconfigured = (answer: unknown) => answer === null || (typeof answer === 'object' && 'ok' in answer && answer.ok === false && 'reason' in answer && answer.reason === 'not_configured');

/**
 * Calls an object; if it does not know its campaign yet (the set-up after the D1 write failed,
 * or never ran), `configure` sets it up from D1 and the call is made once more. An object that
 * has nothing to be set up from (configure null) answers as it is; the refusal map turns a
 * not_configured into campaignUnavailable.
 */
export async function callConfigured<Answer>(call: () => Promise<Answer>, configure: (() => Promise<unknown>) | null): Promise<Answer> {
  const first = await call();
  if (!configure || !unconfigured(first)) return first;
  await configure();
  return call();
}
