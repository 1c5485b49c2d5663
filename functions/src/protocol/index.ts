export * from './signature';
export * from './schema';
