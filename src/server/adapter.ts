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
// Types only: botbuilder ships botframework-connector at the same version and re-exports what it needs at runtime.
import type { AuthenticateRequestResult, ClaimsIdentity, ConnectorClient, ConnectorFactory, UserTokenClient } from 'botframework-connector';
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
  return new ReusingBotFrameworkAuthentication(options);
}

/** Connector clients kept at most (one per app id, serviceUrl and audience); the oldest goes first. */
export const MAX_CACHED_CLIENTS = 64;

/**
 * The SDK's authentication, unchanged (every request is authenticated by it, JWT included when an app id
 * is configured), except that the clients it builds for a turn are built once and then reused. CloudAdapter
 * asks for a ConnectorClient and a UserTokenClient on every turn, and each is a new Azure HTTP pipeline:
 * credentials, a dozen policies, a user agent — more than half a millisecond a turn, for clients an
 * expectReplies turn never calls. Both depend only on the app id (from the validated claims), the
 * serviceUrl and the audience, plus configuration, and hold no per-request state (the SDK's older
 * BotFrameworkAdapter cached its connector clients the same way), so one per key serves every turn. The
 * caches are bounded: with authentication off the serviceUrl is whatever the request says.
 */
export class ReusingBotFrameworkAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly connectors = new BoundedCache<Promise<ConnectorClient>>(MAX_CACHED_CLIENTS);
  private readonly userTokenClients = new BoundedCache<Promise<UserTokenClient>>(MAX_CACHED_CLIENTS);

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    const result = await super.authenticateRequest(activity, authHeader);
    if (!result.connectorFactory) return result;
    return { ...result, connectorFactory: this.reusing(result.claimsIdentity, result.connectorFactory) };
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.reusing(claimsIdentity, super.createConnectorFactory(claimsIdentity));
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.userTokenClients.getOrCreate(appIdOf(claimsIdentity), () => super.createUserTokenClient(claimsIdentity));
  }

  private reusing(claimsIdentity: ClaimsIdentity, factory: ConnectorFactory): ConnectorFactory {
    return new ReusingConnectorFactory(appIdOf(claimsIdentity), factory, this.connectors);
  }
}

class ReusingConnectorFactory implements ConnectorFactory {
  constructor(
    private readonly appId: string,
    private readonly inner: ConnectorFactory,
    private readonly cache: BoundedCache<Promise<ConnectorClient>>,
  ) {}

  create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    // JSON: no separator a serviceUrl could contain makes two keys alike.
    const key = JSON.stringify([this.appId, serviceUrl, audience ?? null]);
    return this.cache.getOrCreate(key, () => this.inner.create(serviceUrl, audience));
  }
}

/** The app id the SDK builds a turn's clients for: the audience claim, else the appid claim (as the SDK reads it). */
function appIdOf(claimsIdentity: ClaimsIdentity): string {
  // AuthenticationConstants.AudienceClaim and AppIdClaim (botframework-connector, not re-exported by botbuilder).
  return claimsIdentity.getClaimValue('aud') ?? claimsIdentity.getClaimValue('appid') ?? '';
}

/** A map of promises that keeps at most `max` entries (first in, first out) and forgets a rejected one. */
class BoundedCache<V extends Promise<unknown>> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly max: number) {}

  getOrCreate(key: string, create: () => V): V {
    const hit = this.entries.get(key);
    if (hit) return hit;
    const value = create();
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, value);
    value.catch(() => {
      if (this.entries.get(key) === value) this.entries.delete(key);
    });
    return value;
  }
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
