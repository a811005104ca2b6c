import { Hono } from 'hono';
import type { AppEnv } from '../../src/env';

// The server-rendered admin page (placeholder until the page lands in this change).
export const adminPageRoutes = new Hono<AppEnv>();
