/** Deployment tests run `pulumi up`, image builds and load: each may take minutes. */
jest.setTimeout(15 * 60 * 1000);
