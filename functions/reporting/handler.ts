/** Placeholder so the stack can be built; replaced by the real reporting handler. */
export const handler = async (_event: unknown): Promise<void> => {
  throw new Error('reporting handler not implemented yet');
};
