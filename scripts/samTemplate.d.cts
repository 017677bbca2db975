export interface TemplateResource {
  readonly Type: string;
  readonly Condition?: string;
  readonly DependsOn?: string | readonly string[];
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly Metadata?: Readonly<Record<string, unknown>>;
}

export interface Template {
  readonly Metadata?: Readonly<Record<string, unknown>>;
  readonly Globals?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly Parameters?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly Conditions?: Readonly<Record<string, unknown>>;
  readonly Resources: Readonly<Record<string, TemplateResource>>;
  readonly Outputs?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface SamFunction {
  readonly logicalId: string;
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly buildProperties: {
    readonly EntryPoints: readonly string[];
    readonly Format?: 'cjs' | 'esm';
    readonly Target?: string;
    readonly Minify?: boolean;
    readonly Sourcemap?: boolean;
  };
  /** The environment variables with a plain value; those set with an intrinsic are left out. */
  readonly environment: Readonly<Record<string, string>>;
}

/** Parses a template file into plain data; short-form intrinsics become their long form. */
export function readTemplate(path: string): Template;

/** The esbuild-built functions of a template. */
export function samFunctions(template: Template): SamFunction[];
