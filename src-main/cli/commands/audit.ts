import type { Command } from "../command";

/** The audit capability's CLI commands. */
export const AUDIT_COMMANDS: Record<string, Command> = {};
