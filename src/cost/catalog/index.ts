// The price catalog component: the contract, the in-memory catalog, the shipped default and
// the importer for newer price files.
export * from './contract.js';
export * from './catalog.js';
export { parsePriceFile, PRICE_COLUMNS, type PriceFileOptions, type ParsedPriceFile } from './price-file.js';
export { shippedPriceData, packageDataDir } from './shipped.js';
export { defaultCatalog, loadPriceFile, PRICE_FILE_ENV, type LoadPriceFileOptions } from './import.js';
