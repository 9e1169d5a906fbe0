/**
 * The Bot Framework adapter: CloudAdapter with authentication from configuration. Without an app id
 * and password, authentication is off (the SDK then accepts requests without a token and sends its
 * replies without one): the Emulator and the tests use this. With them, every request needs a valid
 * Bot Framework JWT.
 */
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Activity,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import type { Config } from '../config';

export function botFrameworkAuthentication(config: Pick<Config, 'auth'>): ConfigurationBotFrameworkAuthentication {
  const { auth } = config;
  // The SDK turns authentication off when MicrosoftAppId is empty; pass nothing unless both are set,
  // so an app id without a password is not half-on.
  const options: ConfigurationBotFrameworkAuthenticationOptions = auth.enabled
    ? {
        MicrosoftAppId: auth.appId,
        MicrosoftAppPassword: auth.appPassword,
        MicrosoftAppTenantId: auth.tenantId,
        MicrosoftAppType: auth.appType,
      }
    : {};
  return new ConfigurationBotFrameworkAuthentication(options);
}

/** CloudAdapter with a processing entry point that returns the result instead of writing the response. */
export class HelpdeskAdapter extends CloudAdapter {
  /**
   * Authenticates and runs one inbound activity. Resolves to the invoke response (for
   * `deliveryMode: "expectReplies"`, `{ status: 200, body: { activities } }`); rejects with an error
   * whose `statusCode` is 401 when authentication fails.
   */
  handle(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }
}

export function isAuthError(err: unknown): boolean {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return err instanceof Error && (status === 401 || status === 403 || err.name === 'AuthenticationError');
}
