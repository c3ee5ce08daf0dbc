// Types of host-executable.mjs, for the TypeScript that builds the executable (the benchmark).
export declare const HOST_NAME: string;
export declare const ADDONS: Record<string, string>;
export declare function buildHostExecutable(options: { release: string; staging: string; version: string }): Promise<{ hostDir: string; host: string }>;
