import type { Command } from "../command";

/** The outbound capability's CLI commands. */
export const OUTBOUND_COMMANDS: Record<string, Command> = {};
