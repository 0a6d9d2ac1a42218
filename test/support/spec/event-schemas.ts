import type { ValidateFunction } from "ajv/dist/2020.js";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { formatAjvErrors, type SchemaRegistry } from "./schema-registry.js";
import { expandExample } from "./spec-examples.js";
import { isJsonObject, type JsonObject, type SpecDocuments } from "./spec-documents.js";

/** The outcome of checking one event against the spec's event schemas. */
export interface EventCheck {
  /** The schema files used, relative to `event-schemas/schema/`. */
  readonly schemas: readonly string[];
  readonly errors: readonly string[];
}

/** Where the event was seen, which changes what the spec requires of it. */
export interface EventContext {
  /**
   * The room an event came from when it arrived without `room_id`, as events inside `/sync`
   * rooms do (the spec's room event schemas require `room_id` everywhere else).
   */
  readonly roomId?: string;
}

interface CompiledSchema {
  readonly name: string;
  readonly validate: ValidateFunction;
}

/**
 * A subtype schema such as `m.room.message$m.text.yaml`: it applies when the content key it
 * pins to a single value (here `msgtype`) has that value.
 */
interface VariantSchema extends CompiledSchema {
  readonly contentKey: string;
  readonly value: string;
}

interface EventTypeSchemas {
  main?: CompiledSchema;
  readonly variants: VariantSchema[];
}

const SCHEMA_FOLDER = ["data", "event-schemas", "schema"];
const EXAMPLE_FOLDER = ["data", "event-schemas", "examples"];

/** The spec's event schemas, one per event type, compiled. */
export class EventSchemas {
  private readonly byType = new Map<string, EventTypeSchemas>();
  private readonly redactedRoomEvent: CompiledSchema;
  private readonly redactedStateEvent: CompiledSchema;

  constructor(
    private readonly specDir: string,
    private readonly documents: SpecDocuments,
    registry: SchemaRegistry,
  ) {
    const folder = join(specDir, ...SCHEMA_FOLDER);
    const compile = (name: string): CompiledSchema => ({
      name,
      validate: registry.compile({ file: join(folder, name), pointer: "" }),
    });
    for (const name of readdirSync(folder)
      .filter((file) => file.endsWith(".yaml"))
      .sort()) {
      const [type = "", variant] = name.slice(0, -".yaml".length).split("$");
      const entry = this.byType.get(type) ?? { variants: [] };
      this.byType.set(type, entry);
      if (variant === undefined) {
        entry.main = compile(name);
      } else {
        const schema = documents.file(join(folder, name));
        entry.variants.push({
          ...compile(name),
          contentKey: pinnedContentKey(schema, variant, name),
          value: variant,
        });
      }
    }
    this.redactedRoomEvent = compile("core-event-schema/room_event.yaml");
    this.redactedStateEvent = compile("core-event-schema/state_event.yaml");
  }

  /** The event types that have a schema. */
  get types(): readonly string[] {
    return [...this.byType.keys()].filter((type) => this.byType.get(type)?.main !== undefined);
  }

  /** How many schema files were compiled (main schemas and subtype schemas). */
  get schemaCount(): number {
    let count = 0;
    for (const entry of this.byType.values()) count += entry.variants.length + (entry.main ? 1 : 0);
    return count;
  }

  /**
   * Checks an event against the schema of its type, and against the subtype schema its
   * content selects (`m.room.message` with `msgtype: m.text`). A redacted event (one with
   * `unsigned.redacted_because`) has stripped content, so only its envelope is checked.
   * Undefined when the spec has no schema for the event's type.
   */
  validate(event: unknown, context: EventContext = {}): EventCheck | undefined {
    if (!isJsonObject(event) || typeof event.type !== "string") {
      return { schemas: [], errors: ["(root): an event must be an object with a string `type`"] };
    }
    const entry = this.byType.get(event.type);
    if (entry?.main === undefined) return undefined;
    const subject = withRoomId(event, context);
    const chosen: CompiledSchema[] = [];
    if (isRedacted(event)) {
      chosen.push("state_key" in event ? this.redactedStateEvent : this.redactedRoomEvent);
    } else {
      chosen.push(entry.main);
      const content = isJsonObject(event.content) ? event.content : {};
      chosen.push(...entry.variants.filter((v) => content[v.contentKey] === v.value));
    }
    const errors: string[] = [];
    for (const schema of chosen) {
      if (!schema.validate(subject)) {
        errors.push(...formatAjvErrors(schema.validate.errors).map((e) => `[${schema.name}] ${e}`));
      }
    }
    return { schemas: chosen.map((schema) => schema.name), errors };
  }

  /** The spec's own event examples (data/event-schemas/examples), `$ref`s expanded. */
  examples(): { name: string; value: unknown }[] {
    const folder = join(this.specDir, ...EXAMPLE_FOLDER);
    return readdirSync(folder)
      .filter((file) => file.endsWith(".yaml") || file.endsWith(".json"))
      .sort()
      .map((file) => ({
        name: file,
        value: expandExample(
          this.documents.file(join(folder, file)),
          join(folder, file),
          this.documents,
        ),
      }));
  }
}

/** The content property a subtype schema pins to its own name, e.g. `msgtype` for `$m.text`. */
function pinnedContentKey(schema: unknown, variant: string, name: string): string {
  const content = isJsonObject(schema) ? pick(schema, "properties", "content", "properties") : {};
  for (const [key, property] of Object.entries(content)) {
    const allowed = isJsonObject(property) ? property.enum : undefined;
    if (Array.isArray(allowed) && allowed.length === 1 && allowed[0] === variant) return key;
  }
  throw new Error(`${name}: no content property pinned to "${variant}"`);
}

function pick(node: JsonObject, ...path: string[]): JsonObject {
  let current: unknown = node;
  for (const key of path) current = isJsonObject(current) ? current[key] : undefined;
  return isJsonObject(current) ? current : {};
}

function isRedacted(event: JsonObject): boolean {
  return isJsonObject(event.unsigned) && event.unsigned.redacted_because !== undefined;
}

function withRoomId(event: JsonObject, context: EventContext): JsonObject {
  if (context.roomId === undefined || "room_id" in event) return event;
  return { ...event, room_id: context.roomId };
}
