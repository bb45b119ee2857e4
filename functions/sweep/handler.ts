/** Placeholder so the stack can be built; replaced by the real sweep handler. */
export const handler = async (_event: unknown): Promise<void> => {
  throw new Error('sweep handler not implemented yet');
};
