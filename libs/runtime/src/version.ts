import rootPackage from '../../../package.json';

/** The Trunkline release every service of this build reports. */
export const TRUNKLINE_VERSION: string = rootPackage.version;
