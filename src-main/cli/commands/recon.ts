import type { Command } from "../command";

/** The recon capability's CLI commands. */
export const RECON_COMMANDS: Record<string, Command> = {};
