// The app itself holds no state: pages sign in lazily through the request layer (lib/session.ts)
// the first time an API needs the shopper, and a shared path opens its page directly.
App({});
