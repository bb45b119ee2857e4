/** Placeholder so the stack can be built; replaced by the real reminder handler. */
export const handler = async (_event: unknown): Promise<void> => {
  throw new Error('reminder handler not implemented yet');
};
