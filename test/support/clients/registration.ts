/** What a login or registration gives a client. */
export interface Credentials {
  readonly userId: string;
  readonly accessToken: string;
  readonly deviceId: string;
  readonly password: string;
}

async function postJson(
  url: string,
  body: Record<string, unknown>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

function credentialsFrom(json: Record<string, unknown>, password: string): Credentials {
  const { user_id: userId, access_token: accessToken, device_id: deviceId } = json;
  if (
    typeof userId !== "string" ||
    typeof accessToken !== "string" ||
    typeof deviceId !== "string"
  ) {
    throw new Error(`unexpected login answer: ${JSON.stringify(json)}`);
  }
  return { userId, accessToken, deviceId, password };
}

/**
 * Registers with the user-interactive flow a client goes through: a first request answered
 * 401 with a session, then the `m.login.dummy` stage in that session.
 */
export async function registerWithPassword(
  baseUrl: string,
  localpart: string,
  password: string,
  deviceDisplayName?: string,
): Promise<Credentials> {
  const url = `${baseUrl}/_matrix/client/v3/register`;
  const request: Record<string, unknown> = { username: localpart, password };
  if (deviceDisplayName !== undefined) request.initial_device_display_name = deviceDisplayName;
  const challenge = await postJson(url, request);
  if (challenge.status !== 401 || typeof challenge.json.session !== "string") {
    throw new Error(`register ${localpart}: expected a 401 challenge, got ${challenge.status}`);
  }
  const done = await postJson(url, {
    ...request,
    auth: { type: "m.login.dummy", session: challenge.json.session },
  });
  if (done.status !== 200) {
    throw new Error(`register ${localpart}: ${done.status} ${JSON.stringify(done.json)}`);
  }
  return credentialsFrom(done.json, password);
}

/** Logs in with a password, which makes a new device. */
export async function loginWithPassword(
  baseUrl: string,
  localpart: string,
  password: string,
  deviceDisplayName?: string,
): Promise<Credentials> {
  const request: Record<string, unknown> = {
    type: "m.login.password",
    identifier: { type: "m.id.user", user: localpart },
    password,
  };
  if (deviceDisplayName !== undefined) request.initial_device_display_name = deviceDisplayName;
  const answer = await postJson(`${baseUrl}/_matrix/client/v3/login`, request);
  if (answer.status !== 200) {
    throw new Error(`login ${localpart}: ${answer.status} ${JSON.stringify(answer.json)}`);
  }
  return credentialsFrom(answer.json, password);
}
