// Loaded by mocha before any test file (see .mocharc.json).
import "reflect-metadata";
import "../../src/matrix/polyfills.js";
