// Notice sizes, in a file of their own: the schemas, the service and the tasks all read them, and
// the tasks file cannot import the service at load time (the service imports the tasks).
export const NOTICE_TITLE_MAX = 200;
export const NOTICE_CONTENT_MAX = 20_000;
