/**
 * One count of login attempts for SMPP binds, HTTP passwords and web sign-ins (docs/security.md): the
 * guard, its log lines (component `auth`) and its metrics.
 */
import { Counter } from 'prom-client';
import type { Logger } from 'pino';
import { LoginGuard } from '../gateway/login-guard.js';
import type { Config } from '../config/index.js';
import type { HermodMetrics } from '../observability/index.js';

export function buildLoginGuard(config: Config, log: Logger, metrics: HermodMetrics): LoginGuard {
  const { login } = config.security;
  const guard = new LoginGuard({
    maxFailuresPerAddress: login.maxFailuresPerAddress,
    maxFailuresPerUser: login.maxFailuresPerUser,
    windowMs: login.windowS * 1000,
    lockMs: login.lockS * 1000,
  });
  const authLog = log.child({ component: 'auth' });
  const failures = new Counter({
    name: 'hermod_login_failures_total',
    help: 'Refused logins (SMPP binds, HTTP passwords, web sign-ins) by door and reason (refused, locked, busy)',
    labelNames: ['door', 'reason'] as const,
    registers: [metrics.registry],
  });
  const lockouts = new Counter({
    name: 'hermod_login_lockouts_total',
    help: 'Lockouts started, by door and scope (address or username)',
    labelNames: ['door', 'scope'] as const,
    registers: [metrics.registry],
  });
  guard.on('login_failed', (e) => {
    failures.inc({ door: e.door, reason: e.reason });
    authLog.info(e, 'login failed');
  });
  guard.on('lockout', (e) => {
    lockouts.inc({ door: e.door, scope: e.scope });
    authLog.warn(e, 'login lockout');
  });
  return guard;
}
