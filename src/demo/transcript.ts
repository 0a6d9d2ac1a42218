import {
  MatrixEventEvent,
  RoomEvent,
  type MatrixClient,
  type MatrixEvent,
  type Room,
} from "matrix-js-sdk";

/** Column widths of the transcript. */
const TIME_WIDTH = 8;
const ROOM_WIDTH = 20;
const WHO_WIDTH = 7;
const INDENT = " ".repeat(TIME_WIDTH + ROOM_WIDTH + WHO_WIDTH + 3);

/**
 * The demo's conversation as a person reads it: who said what in which room, and for the bot's
 * messages the step, case and TLP label its event carries. Messages are gathered from every
 * scripted client and printed once each, as they arrive.
 */
export class Transcript {
  private readonly printed = new Set<string>();
  private readonly started = Date.now();

  constructor(
    private readonly write: (line: string) => void,
    private readonly botUserId: string,
    private readonly roomName: (room: Room) => string,
  ) {}

  /** Prints what `client` receives from now on (its own sends are printed by `said`). */
  follow(client: MatrixClient): void {
    const consider = (event: MatrixEvent): void => {
      const room = client.getRoom(event.getRoomId() ?? "");
      if (room) this.received(event, room);
    };
    client.on(RoomEvent.Timeline, consider);
    client.on(MatrixEventEvent.Decrypted, consider);
  }

  /** A message a scripted person sent. */
  said(room: Room | null, sender: string, eventId: string, body: string): void {
    if (this.printed.has(eventId)) return;
    this.printed.add(eventId);
    this.line(room ? this.roomName(room) : "?", localpart(sender), body);
  }

  /** A heading between the parts of the story. */
  section(title: string): void {
    this.write("");
    this.write(`== ${title} ==`);
  }

  /** What the script does or waits for, where no message says it. */
  note(text: string): void {
    this.write(`${this.clock()} ${" ".repeat(ROOM_WIDTH)} ${"".padEnd(WHO_WIDTH)} (${text})`);
  }

  /** Seconds since the transcript began. */
  elapsedSeconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  private received(event: MatrixEvent, room: Room): void {
    const eventId = event.getId() ?? "";
    if (eventId === "" || eventId.startsWith("~") || this.printed.has(eventId)) return;
    if (event.isBeingDecrypted() || event.isDecryptionFailure()) return;
    if (event.getType() !== "m.room.message") return;
    const content = event.getContent();
    if (typeof content["body"] !== "string") return;
    this.printed.add(eventId);
    const sender = event.getSender() ?? "";
    if (sender !== this.botUserId) {
      this.line(this.roomName(room), localpart(sender), content["body"]);
      return;
    }
    const tags = [
      typeof content["org.dsx.step"] === "string" ? `step=${content["org.dsx.step"]}` : "",
      typeof content["org.dsx.prompt"] === "string" ? `prompt=${content["org.dsx.prompt"]}` : "",
      typeof content["org.dsx.case"] === "string" ? content["org.dsx.case"] : "",
      typeof content["org.dsx.tlp"] === "string" ? `TLP:${content["org.dsx.tlp"]}` : "",
    ].filter(Boolean);
    // The body begins with its label, which the tags already show.
    const body = content["body"].replace(/^\[?TLP:[^\]\s]+\]?\s+/, "");
    this.line(this.roomName(room), "bot", `[${tags.join(" · ")}]\n${body}`);
  }

  private line(room: string, who: string, body: string): void {
    const [first = "", ...rest] = body.split("\n");
    this.write(
      `${this.clock()} ${room.slice(0, ROOM_WIDTH).padEnd(ROOM_WIDTH)} ${who.padEnd(WHO_WIDTH)} ${first}`,
    );
    for (const more of rest) this.write(`${INDENT}${more}`);
  }

  private clock(): string {
    return `+${this.elapsedSeconds().toFixed(1)}s`.padStart(TIME_WIDTH);
  }
}

function localpart(userId: string): string {
  return /^@([^:]+)/.exec(userId)?.[1] ?? userId;
}
