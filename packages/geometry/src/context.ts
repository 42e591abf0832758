import { GeometryError, isGeometryError } from './errors.js';

/**
 * Runs `body`; a `GeometryError` it throws is rethrown from `block` with
 * `where` in front of its message (`chainGeometry: layers[2] (pool): poolOutputSize: …`),
 * keeping its code and the original error as `cause`.
 */
export function withContext<T>(block: string, argument: string, where: string, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (!isGeometryError(error)) throw error;
    throw new GeometryError(error.code, block, argument, `${where}: ${error.message}`, { cause: error });
  }
}
