/**
 * The Bot Framework adapter: CloudAdapter with authentication from configuration. Without an app id
 * and password, authentication is off (the SDK then accepts requests without a token and sends its
 * replies without one): the Emulator and the tests use this. With them, every request needs a valid
 * Bot Framework JWT.
 */
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  DeliveryModes,
  type Activity,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
// Type only: botbuilder ships botframework-connector at the same version and re-exports its runtime.
import type { AuthenticateRequestResult } from 'botframework-connector';
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

/** The Bot Framework channels' token audience (botframework-connector's ToChannelFromBotOAuthScope). */
const CHANNEL_AUDIENCE = 'https://api.botframework.com';

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

  /**
   * Runs an activity from a channel that lives in this process (the built-in Direct Line). No HTTP
   * request carries it, so there is no Bot Framework token to check: the channel has already checked its
   * own token. The turn runs with deliveryMode "expectReplies", so the bot's replies come back here, in
   * order, instead of being posted to a serviceUrl. `botAppId` is the configured app id ('' without
   * authentication); the SDK wants it to build the (unused) outbound connector.
   */
  async runInProcess(activity: Activity, logic: (context: TurnContext) => Promise<void>, botAppId = ''): Promise<Partial<Activity>[]> {
    const claimsIdentity = this.createClaimsIdentity(botAppId);
    const trusted: AuthenticateRequestResult = {
      claimsIdentity,
      // The public cloud's channel scope; only used to build the connector, which expectReplies never calls.
      audience: CHANNEL_AUDIENCE,
      connectorFactory: this.botFrameworkAuthentication.createConnectorFactory(claimsIdentity),
    };
    const response = await this.processActivity(trusted, { ...activity, deliveryMode: DeliveryModes.ExpectReplies } as Activity, logic);
    const body = response?.body as { activities?: Partial<Activity>[] } | undefined;
    return body?.activities ?? [];
  }
}

export function isAuthError(err: unknown): boolean {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return err instanceof Error && (status === 401 || status === 403 || err.name === 'AuthenticationError');
}
