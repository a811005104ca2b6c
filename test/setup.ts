// Runs before each test file: every file gets its own D1, migrated from migrations/.
import { applyD1Migrations, env } from 'cloudflare:test';

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
