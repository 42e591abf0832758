export { assertDerivative, type CheckDerivativeOptions, type CheckDerivativeResult, checkDerivative } from './check-derivative.js';
