/** The admin key of demo mode (which listens on 127.0.0.1 only). Its own module so the CLI can read it cheaply. */
export const DEMO_ADMIN_KEY = 'hermod-demo-admin-key';
