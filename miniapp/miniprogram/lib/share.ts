// Shared cards: the path carries the room or session id and the inviter (the sharer's user id),
// so the invitee lands on the right page. WeChat does not confirm delivery; an invitation counts
// when the invitee opens the page and acts on it (joins, helps).
import { currentSession } from './session';

export function inviterId(): string | undefined {
  return currentSession()?.user?.id;
}

export function shareCard(title: string, path: string, imageUrl?: string): WechatMiniprogram.Page.ICustomShareContent {
  return { title, path, ...(imageUrl && { imageUrl }) };
}
