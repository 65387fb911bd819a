import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules", "out", "dist", "test-results", "playwright-report", "bench/.data"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/ban-ts-comment": "error",
    },
  },
  {
    // kysely's Migration interface is typed Kysely<any> by design: a migration must not depend on today's schema.
    files: ["src-main/engine/store/migrations/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["src-renderer/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    // The engine runs in plain Node: no electron below src-main/engine, ever.
    files: ["src-main/engine/**/*.ts", "connectors/**/*.ts", "src-shared/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "electron", message: "The engine and connectors run in plain Node; electron belongs in src-main/electron only." },
          ],
        },
      ],
    },
  },
  {
    files: ["connectors/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "electron", message: "Connectors run in plain Node." },
            { name: "better-sqlite3", message: "Connectors never open the database; hand records to src-main/engine/ingest." },
            { name: "kysely", message: "Connectors never open the database; hand records to src-main/engine/ingest." },
          ],
        },
      ],
    },
  },
  {
    files: ["src-shared/**/*.ts", "src-renderer/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["node:*", "electron", "better-sqlite3", "kysely", "**/src-main/**", "**/connectors/**"],
              message: "src-shared and the renderer speak only the API contract; no Node, engine or connector imports.",
            },
          ],
        },
      ],
    },
  },
);
