// `npm run docs:permissions`: README's permission table, made again from the command definitions.
import "reflect-metadata";
import "../../../src/matrix/polyfills.js";
import { writeReadmeTable } from "./readme-permissions.js";

await writeReadmeTable();
process.stdout.write("README.md: permission table written\n");
