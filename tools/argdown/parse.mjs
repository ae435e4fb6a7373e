// Parse an Argdown file with the official @argdown/core parser and model builder.
// Prints {"statements", "texts", "tags", "relations", "errors"} as JSON; exits 1 when there is any error.
import { readFileSync } from "node:fs";
import { ArgdownApplication, ParserPlugin, DataPlugin, ModelPlugin } from "@argdown/core";

const app = new ArgdownApplication();
app.addPlugin(new ParserPlugin(), "parse-input");
app.addPlugin(new DataPlugin(), "build-model");
app.addPlugin(new ModelPlugin(), "build-model");

const input = readFileSync(process.argv[2], "utf8");
const response = app.run({ input, process: ["parse-input", "build-model"], logLevel: "error" });
const errors = [
  ...(response.lexerErrors || []).map((e) => `lexer: ${e.message} (line ${e.line})`),
  ...(response.parserErrors || []).map((e) => `parser: ${e.message} (line ${e.token && e.token.startLine})`),
  ...(response.exceptions || []).map((e) => `exception: ${e.message}`),
];
const relations = (response.relations || []).map((r) => ({
  from: r.from && r.from.title, to: r.to && r.to.title, type: r.relationType,
}));
const statements = Object.values(response.statements || {});
const texts = Object.fromEntries(statements.map((s) => [s.title, s.members && s.members.length ? s.members[0].text : ""]));
const tags = Object.fromEntries(statements.map((s) => [s.title, s.tags || []]));
const data = Object.fromEntries(statements.map((s) => [s.title, s.data || {}]));
console.log(JSON.stringify({ statements: statements.length, texts, tags, data, relations, errors }));
process.exitCode = errors.length ? 1 : 0;
