import { eventsInSync, joinedTimeline, type SpecCheckedHttp } from "../../support/spec/index.js";

const V3 = "/_matrix/client/v3";
const enc = encodeURIComponent;

interface Account {
  readonly userId: string;
  readonly token: string;
  readonly deviceId: string;
}

/** A realistic client session, step by step; every response is checked by `SpecCheckedHttp`. */
export class ConformanceScenario {
  private txn = 0;

  constructor(private readonly http: SpecCheckedHttp) {}

  async run(): Promise<void> {
    await this.call("GET", "/_matrix/client/versions");
    await this.call("GET", `${V3}/login`);
    const alice = await this.register("alice");
    const bob = await this.register("bob");
    await this.login("alice");
    await this.call("GET", `${V3}/account/whoami`, alice);
    await this.call("GET", `${V3}/capabilities`, alice);
    await this.profile(alice);
    const filterId = await this.filter(bob);
    await this.call("GET", `${V3}/pushrules/`, alice);
    await this.accountData(alice);

    const desk = await this.createRoom(alice, {
      preset: "private_chat",
      name: "Trading desk",
      topic: "Offers and tickets",
      initial_state: [
        { type: "m.room.guest_access", state_key: "", content: { guest_access: "forbidden" } },
      ],
    });
    const lobby = await this.createRoom(alice, {
      preset: "public_chat",
      visibility: "public",
      name: "DSX lobby",
    });
    await this.call("POST", `${V3}/rooms/${enc(desk)}/invite`, alice, { user_id: bob.userId });
    this.checkSync("bob's first sync", await this.call("GET", `${V3}/sync?timeout=0`, bob));
    await this.call("POST", `${V3}/rooms/${enc(desk)}/join`, bob, {});
    await this.call("POST", `${V3}/join/${enc(lobby)}`, bob, {});

    const offers: string[] = [];
    for (let i = 1; i <= 5; i += 1) offers.push(await this.sendText(alice, desk, `Offer ${i}`));
    await this.roomReads(alice, desk, offers[0]!);
    await this.redact(alice, desk, offers[1]!);
    const lastOffer = offers.at(-1)!;
    await this.call("POST", `${V3}/rooms/${enc(desk)}/receipt/m.read/${enc(lastOffer)}`, bob, {});
    await this.call("PUT", `${V3}/rooms/${enc(desk)}/typing/${enc(bob.userId)}`, bob, {
      typing: true,
      timeout: 30_000,
    });

    const since = await this.limitedSync(bob, desk, filterId);
    await this.keys(alice, bob);
    const latest = await this.sendText(alice, desk, "Offer 6");
    const to = await this.incrementalSync(alice, bob, { since, roomId: desk, eventId: latest });
    await this.call("GET", `${V3}/keys/changes?from=${enc(since)}&to=${enc(to)}`, bob);
    await this.directory(alice, lobby);
    await this.devices(alice);
    await this.call("GET", `${V3}/room_keys/version`, alice, undefined, 404);
    await this.media(alice);
    await this.departures(alice, bob, desk, lobby);
    await this.errors(bob, desk);
  }

  private async register(localpart: string): Promise<Account> {
    const body = { username: localpart, password: `${localpart}-password` };
    const challenge = await this.call("POST", `${V3}/register`, undefined, body, 401);
    const session = stringAt(challenge, "session");
    const done = await this.call("POST", `${V3}/register`, undefined, {
      ...body,
      auth: { type: "m.login.dummy", session },
    });
    return {
      userId: stringAt(done, "user_id"),
      token: stringAt(done, "access_token"),
      deviceId: stringAt(done, "device_id"),
    };
  }

  private async login(localpart: string): Promise<void> {
    await this.call("POST", `${V3}/login`, undefined, {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: localpart },
      password: `${localpart}-password`,
      initial_device_display_name: "DSX desk laptop",
    });
  }

  private async profile(user: Account): Promise<void> {
    const profile = `${V3}/profile/${enc(user.userId)}`;
    await this.call("PUT", `${profile}/displayname`, user, { displayname: "Alice (desk)" });
    await this.call("GET", profile, user);
    await this.call("GET", `${profile}/displayname`, user);
  }

  private async filter(user: Account): Promise<string> {
    const path = `${V3}/user/${enc(user.userId)}/filter`;
    const created = await this.call("POST", path, user, { room: { timeline: { limit: 2 } } });
    const filterId = stringAt(created, "filter_id");
    await this.call("GET", `${path}/${enc(filterId)}`, user);
    return filterId;
  }

  private async accountData(user: Account): Promise<void> {
    const path = `${V3}/user/${enc(user.userId)}/account_data/org.dsx.desk_settings`;
    await this.call("PUT", path, user, { default_audience: "desk" });
    await this.call("GET", path, user);
  }

  private async createRoom(user: Account, body: Record<string, unknown>): Promise<string> {
    return stringAt(await this.call("POST", `${V3}/createRoom`, user, body), "room_id");
  }

  private async sendText(user: Account, roomId: string, body: string): Promise<string> {
    const path = `${V3}/rooms/${enc(roomId)}/send/m.room.message/${this.nextTxn()}`;
    return stringAt(await this.call("PUT", path, user, { msgtype: "m.text", body }), "event_id");
  }

  /** State writes and the read endpoints of a room, with the events they return checked. */
  private async roomReads(user: Account, roomId: string, eventId: string): Promise<void> {
    const room = `${V3}/rooms/${enc(roomId)}`;
    await this.call("PUT", `${room}/state/m.room.topic/`, user, { topic: "Offers only" });
    await this.call("PUT", `${room}/state/m.room.name`, user, { name: "Trading desk (EU)" });
    await this.call("GET", `${room}/state/m.room.topic/`, user);
    this.checkEvents("GET state", await this.call("GET", `${room}/state`, user));
    this.checkEvents(
      "GET members",
      field(await this.call("GET", `${room}/members`, user), "chunk"),
    );
    await this.call("GET", `${room}/joined_members`, user);
    await this.call("GET", `${V3}/joined_rooms`, user);
    this.checkEvents("GET event", [await this.call("GET", `${room}/event/${enc(eventId)}`, user)]);
    const back = await this.call("GET", `${room}/messages?dir=b&limit=3`, user);
    this.checkEvents("GET messages dir=b", field(back, "chunk"));
    const forward = await this.call("GET", `${room}/messages?dir=f&limit=20`, user);
    this.checkEvents("GET messages dir=f", field(forward, "chunk"));
  }

  /** Redacts an event, then fetches it: its content must be gone (the redaction algorithm). */
  private async redact(user: Account, roomId: string, eventId: string): Promise<void> {
    const room = `${V3}/rooms/${enc(roomId)}`;
    const path = `${room}/redact/${enc(eventId)}/${this.nextTxn()}`;
    await this.call("PUT", path, user, { reason: "posted by mistake" });
    const redacted = await this.call("GET", `${room}/event/${enc(eventId)}`, user);
    this.checkEvents("GET redacted event", [redacted]);
    const content = field(redacted, "content");
    if (typeof content !== "object" || content === null || Object.keys(content).length > 0) {
      this.http.report(
        `GET redacted event ${eventId}: content not stripped: ${JSON.stringify(content)}`,
      );
    }
  }

  /** An initial sync whose timeline filter forces a gap, then an incremental one. */
  private async limitedSync(bob: Account, roomId: string, filterId: string): Promise<string> {
    const initial = await this.call("GET", `${V3}/sync?timeout=0&filter=${enc(filterId)}`, bob);
    this.checkSync("initial sync", initial);
    const timeline = joinedTimeline(initial, roomId);
    if (timeline?.limited !== true || typeof timeline.prev_batch !== "string") {
      this.http.report(
        `initial sync with timeline limit 2: room ${roomId} timeline lacks limited=true and prev_batch: ${JSON.stringify(timeline)}`,
      );
    }
    const since = stringAt(initial, "next_batch");
    return since;
  }

  private async keys(alice: Account, bob: Account): Promise<void> {
    const key = (seed: string): string => seed.repeat(43).slice(0, 43);
    const deviceKeys = {
      user_id: alice.userId,
      device_id: alice.deviceId,
      algorithms: ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
      keys: {
        [`curve25519:${alice.deviceId}`]: key("c"),
        [`ed25519:${alice.deviceId}`]: key("e"),
      },
      signatures: { [alice.userId]: { [`ed25519:${alice.deviceId}`]: key("s") + key("s") } },
    };
    const oneTimeKey = {
      key: key("o"),
      signatures: { [alice.userId]: { [`ed25519:${alice.deviceId}`]: key("t") + key("t") } },
    };
    await this.call("POST", `${V3}/keys/upload`, alice, {
      device_keys: deviceKeys,
      one_time_keys: { "signed_curve25519:AAAAAQ": oneTimeKey },
    });
    await this.call("POST", `${V3}/keys/query`, bob, { device_keys: { [alice.userId]: [] } });
    await this.call("POST", `${V3}/keys/claim`, bob, {
      one_time_keys: { [alice.userId]: { [alice.deviceId]: "signed_curve25519" } },
    });
  }

  /** A to-device message and a new room event, both expected in bob's next sync. */
  private async incrementalSync(
    alice: Account,
    bob: Account,
    expected: { since: string; roomId: string; eventId: string },
  ): Promise<string> {
    await this.call("PUT", `${V3}/sendToDevice/m.dummy/${this.nextTxn()}`, alice, {
      messages: { [bob.userId]: { [bob.deviceId]: {} } },
    });
    const next = await this.call("GET", `${V3}/sync?timeout=0&since=${enc(expected.since)}`, bob);
    this.checkSync("incremental sync", next);
    const toDevice = field(field(next, "to_device"), "events");
    if (!Array.isArray(toDevice) || !toDevice.some((e) => field(e, "type") === "m.dummy")) {
      this.http.report("incremental sync: the m.dummy to-device message is missing");
    }
    const events = field(joinedTimeline(next, expected.roomId), "events");
    if (!Array.isArray(events) || !events.some((e) => field(e, "event_id") === expected.eventId)) {
      this.http.report(`incremental sync: event ${expected.eventId} missing from the timeline`);
    }
    return stringAt(next, "next_batch");
  }

  private async directory(alice: Account, roomId: string): Promise<void> {
    const path = `${V3}/directory/list/room/${enc(roomId)}`;
    await this.call("PUT", path, alice, { visibility: "public" });
    await this.call("GET", path, alice);
    const rooms = field(await this.call("GET", `${V3}/publicRooms`, alice), "chunk");
    if (!Array.isArray(rooms) || !rooms.some((room) => field(room, "room_id") === roomId)) {
      this.http.report(`GET publicRooms: the public room ${roomId} is not listed`);
    }
  }

  private async devices(user: Account): Promise<void> {
    await this.call("GET", `${V3}/devices`, user);
    const path = `${V3}/devices/${enc(user.deviceId)}`;
    await this.call("GET", path, user);
    await this.call("PUT", path, user, { display_name: "DSX desk" });
  }

  private async media(user: Account): Promise<void> {
    const text = new TextEncoder().encode("Ticket 42: 100 DSX at 1.05\n");
    const upload = await this.http.request({
      method: "POST",
      path: "/_matrix/media/v3/upload?filename=ticket.txt",
      token: user.token,
      raw: { bytes: text, contentType: "text/plain" },
      expect: 200,
    });
    const mxc = /^mxc:\/\/([^/]+)\/([^/]+)$/.exec(stringAt(upload.json, "content_uri"));
    if (mxc === null) throw new Error("upload returned no usable content_uri");
    const download = await this.http.request({
      method: "GET",
      path: `/_matrix/client/v1/media/download/${enc(mxc[1]!)}/${enc(mxc[2]!)}`,
      token: user.token,
      expect: 200,
    });
    if (Buffer.compare(Buffer.from(download.bytes), Buffer.from(text)) !== 0) {
      this.http.report("media download: the bytes differ from those uploaded");
    }
  }

  private async departures(alice: Account, bob: Account, desk: string, lobby: string) {
    const before = await this.call("GET", `${V3}/sync?timeout=0`, bob);
    this.checkSync("bob's full sync", before);
    await this.call("POST", `${V3}/rooms/${enc(desk)}/leave`, bob, {});
    await this.call("POST", `${V3}/rooms/${enc(desk)}/forget`, bob, {});
    const reason = { user_id: bob.userId, reason: "desk closed to guests" };
    await this.call("POST", `${V3}/rooms/${enc(lobby)}/kick`, alice, reason);
    await this.call("POST", `${V3}/join/${enc(lobby)}`, bob, {});
    await this.call("POST", `${V3}/rooms/${enc(lobby)}/ban`, alice, reason);
    const since = stringAt(before, "next_batch");
    const after = await this.call("GET", `${V3}/sync?timeout=0&since=${enc(since)}`, bob);
    this.checkSync("sync after leave, kick and ban", after);
    // A left room's timeline runs "up to the point when the user left": here, the ban.
    const left = field(field(field(after, "rooms"), "leave"), lobby);
    const events = field(field(left, "timeline"), "events");
    const banned = (e: unknown): boolean =>
      field(e, "type") === "m.room.member" &&
      field(e, "state_key") === bob.userId &&
      field(field(e, "content"), "membership") === "ban";
    if (!Array.isArray(events) || !events.some(banned)) {
      this.http.report(
        `sync after leave, kick and ban: /rooms/leave/${lobby}/timeline/events lacks bob's ban event (and alice's kick before it): ${JSON.stringify(events)}`,
      );
    }
  }

  private async errors(bob: Account, desk: string): Promise<void> {
    const stranger = { userId: bob.userId, token: "not-a-token", deviceId: "NONE" };
    const unknownToken = await this.call("GET", `${V3}/account/whoami`, stranger, undefined, 401);
    this.expectErrcode("whoami with an unknown token", unknownToken, "M_UNKNOWN_TOKEN");
    const path = `${V3}/rooms/${enc(desk)}/send/m.room.message/${this.nextTxn()}`;
    const forbidden = await this.call("PUT", path, bob, { msgtype: "m.text", body: "hi" }, 403);
    this.expectErrcode("send after leaving", forbidden, "M_FORBIDDEN");
    const unknown = await this.http.request({
      method: "GET",
      path: `${V3}/org.dsx.no_such_endpoint`,
      token: bob.token,
      expect: 404,
      notInSpec: true,
    });
    this.expectErrcode("unknown endpoint", unknown.json, "M_UNRECOGNIZED");
  }

  private expectErrcode(what: string, body: unknown, errcode: string): void {
    if (field(body, "errcode") !== errcode) {
      this.http.report(`${what}: expected errcode ${errcode}, got ${JSON.stringify(body)}`);
    }
  }

  private checkSync(what: string, body: unknown): void {
    const withRoomId: string[] = [];
    for (const { where, event, roomId } of eventsInSync(body)) {
      this.http.checkEvent(`${what} ${where}`, event, roomId);
      if (roomId !== undefined && field(event, "room_id") !== undefined) withRoomId.push(where);
    }
    // ClientEventWithoutRoomID: room_id "will not be present on events that arrive through /sync".
    if (withRoomId.length > 0) {
      this.http.report(
        `${what}: ${withRoomId.length} room events carry room_id, which /sync events do not (e.g. ${withRoomId[0]})`,
      );
    }
  }

  private checkEvents(what: string, events: unknown): void {
    if (!Array.isArray(events)) return;
    events.forEach((event: unknown, index) => {
      this.http.checkEvent(`${what} [${index}]`, event);
    });
  }

  private async call(
    method: string,
    path: string,
    user?: Account,
    json?: unknown,
    expect = 200,
  ): Promise<unknown> {
    const response = await this.http.request({
      method,
      path,
      ...(user === undefined ? {} : { token: user.token }),
      ...(json === undefined ? {} : { json }),
      expect,
    });
    return response.json;
  }

  private nextTxn(): string {
    this.txn += 1;
    return `txn${this.txn}`;
  }
}

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** A string the scenario needs to go on; its absence aborts the scenario with a reason. */
function stringAt(value: unknown, key: string): string {
  const found = field(value, key);
  if (typeof found !== "string") {
    throw new Error(`expected a string "${key}" in ${JSON.stringify(value)}`);
  }
  return found;
}
