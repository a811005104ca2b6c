// Bundled in place of zod (wrangler.toml [alias]). hono-openapi's schema converters reach every
// schema library they support through lazy imports, zod among them; this app's schemas are all
// valibot, and zod would add about 500 KB to the worker. Importing this fails, which the converters
// report as "zod is not installed" — a path only a zod schema could take.
export {};
throw new Error('zod is not bundled into this worker: its schemas are valibot');
