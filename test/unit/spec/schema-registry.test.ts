import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SchemaRegistry } from "../../support/spec/schema-registry.js";
import { SpecDocuments } from "../../support/spec/spec-documents.js";

/** A tiny spec of its own, so the resolver's edge cases are tested without the real one. */
const OPENAPI_YAML = `
openapi: 3.1.0
components:
  schemas:
    Tree:
      type: object
      x-addedInMatrixVersion: "1.1"
      example: { "$ref": "no-such-file.yaml" }
      properties:
        example:
          type: integer
        children:
          type: array
          items:
            $ref: "#/components/schemas/Tree"
        leaf:
          $ref: "definitions/leaf.json#/definitions/Leaf"
        tag:
          type: string
          format: org.example.unknown-format
`;

const LEAF_JSON = JSON.stringify({
  definitions: {
    Leaf: {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      required: ["room"],
      properties: {
        room: { type: "string", format: "mx-room-id" },
        back: { $ref: "../tree.yaml#/components/schemas/Tree" },
      },
    },
  },
});

describe("SchemaRegistry", () => {
  let dir: string;
  let registry: SchemaRegistry;
  const tree = (): ReturnType<SchemaRegistry["compile"]> =>
    registry.compile({ file: join(dir, "tree.yaml"), pointer: "/components/schemas/Tree" });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "spec-registry-"));
    writeFileSync(join(dir, "tree.yaml"), OPENAPI_YAML);
    mkdirSync(join(dir, "definitions"));
    writeFileSync(join(dir, "definitions", "leaf.json"), LEAF_JSON);
    registry = new SchemaRegistry(new SpecDocuments(), dir);
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("resolves refs across YAML and JSON files, through a cycle, in both directions", () => {
    const validate = tree();
    const deep = { children: [{ leaf: { room: "!r:hs", back: { children: [{}] } } }] };
    expect(validate(deep)).to.be.true;
    expect(validate({ children: [{ leaf: { back: {} } }] })).to.be.false;
    expect(validate.errors?.map((e) => e.instancePath)).to.deep.equal(["/children/0/leaf"]);
    expect(validate({ leaf: { room: "no-bang" } })).to.be.false;
  });

  it("treats a property named like a keyword as a property, and examples as data", () => {
    const validate = tree();
    expect(validate({ example: 3 })).to.be.true;
    expect(validate({ example: "three" })).to.be.false;
  });

  it("compiles past OpenAPI keywords and formats it does not know, and says so", () => {
    expect(tree()({ tag: "anything" })).to.be.true;
    expect(registry.warnings.join("\n")).to.include("org.example.unknown-format");
  });

  it("names the broken reference when a $ref leads nowhere", () => {
    writeFileSync(
      join(dir, "broken.yaml"),
      "type: object\nproperties:\n  a:\n    $ref: '#/nope'\n",
    );
    expect(() => registry.compile({ file: join(dir, "broken.yaml"), pointer: "" })).to.throw(
      /dangling \$ref: .*broken\.yaml#\/nope/,
    );
  });
});
