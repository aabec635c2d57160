export declare function codeServerCacheDir(version: string): string;
export declare const CODE_SERVER_VERSION: string;
