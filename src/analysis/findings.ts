/**
 * How serious a finding is.
 */
export enum Severity {
  /** The object would be rejected by the API server or the mesh, or it breaks traffic. */
  ERROR = 'error',
  /** Accepted, but likely not what was meant. */
  WARNING = 'warning',
  /** For information: e.g. a kind or rule that was not checked. */
  INFO = 'info',
}

/**
 * One problem found in one manifest.
 */
export interface Finding {
  /** Stable code of the check, e.g. `SCH004` (see docs/validation.md). */
  readonly code: string;
  /** How serious the finding is. */
  readonly severity: Severity;
  /** What is wrong and how to fix it. */
  readonly message: string;
  /** The resource, as `Kind namespace/name` (or `Kind name` without a namespace). */
  readonly resource: string;
  /** The field path inside the resource, e.g. `spec.http[0].retries.attempts`; empty for the whole document. */
  readonly path: string;
  /**
   * The file the manifest was read from.
   * @default - the manifest did not come from a file
   */
  readonly file?: string;
  /**
   * The zero-based index of the YAML document in its file or stream.
   * @default - not from a YAML stream
   */
  readonly documentIndex?: number;
  /**
   * The one-based line of the field (or of the document) in the file.
   * @default - unknown
   */
  readonly line?: number;
  /**
   * The CEL rule that failed or could not be checked.
   * @default - not a CEL finding
   */
  readonly rule?: string;
  /**
   * The upstream rule an analyzer finding mirrors (an `istioctl analyze` IST code, a Kiali KIA code,
   * or a Linkerd or Consul admission rule), to cross-reference.
   * @default - not an analyzer finding
   */
  readonly upstream?: string;
}

/**
 * Finding codes of the schema and CEL validator.
 */
export class ValidationCodes {
  /** The YAML text cannot be parsed. */
  public static readonly YAML_PARSE = 'YAML001';
  /** A document is not a Kubernetes object (no apiVersion/kind, not a mapping). */
  public static readonly NOT_AN_OBJECT = 'DOC001';
  /** metadata is missing or invalid (name, namespace, labels). */
  public static readonly METADATA = 'DOC002';
  /** No pinned schema for this apiVersion and kind: not checked. */
  public static readonly KIND_NOT_CHECKED = 'SCH000';
  /** A value has the wrong type. */
  public static readonly TYPE = 'SCH001';
  /** A required field is missing. */
  public static readonly REQUIRED = 'SCH002';
  /** A value is not one of the allowed values. */
  public static readonly ENUM = 'SCH003';
  /** A field is not in the schema (strict field validation). */
  public static readonly UNKNOWN_FIELD = 'SCH004';
  /** A string does not match the required pattern. */
  public static readonly PATTERN = 'SCH005';
  /** A string is not in the required format. */
  public static readonly FORMAT = 'SCH006';
  /** A number is out of range. */
  public static readonly RANGE = 'SCH007';
  /** A string, list or map is too short or too long. */
  public static readonly LENGTH = 'SCH008';
  /** Fields that exclude each other are set together, or none of the required alternatives is set. */
  public static readonly ONE_OF = 'SCH009';
  /** Duplicate entries in a list that must be a set or a map. */
  public static readonly DUPLICATE = 'SCH010';
  /** A CEL validation rule of the CRD failed. */
  public static readonly CEL_FAILED = 'CEL001';
  /** A CEL validation rule raised an error on this value (the API server rejects it too). */
  public static readonly CEL_ERROR = 'CEL002';
  /** A CEL validation rule could not be run by this validator: not checked. */
  public static readonly CEL_NOT_CHECKED = 'CEL003';
  /** A CEL transition rule (uses oldSelf): only checked on update, so not checked here. */
  public static readonly CEL_TRANSITION = 'CEL004';

  private constructor() {}
}
