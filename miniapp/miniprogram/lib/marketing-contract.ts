// LOCAL TYPES, written from the API contract for group buys (拼团) and bargains (砍价) while those
// routes are being built on other branches. Once they land, these become
//   export type { GroupBuyCampaignView, GroupBuyRoomView } from '../../../src/services/…';
//   export type { BargainCampaignView, BargainSessionView } from '../../../src/services/…';
// (the worker's exported view types) and nothing else in the mini-program changes.
import type { Order } from './api-types';

export type Masked = { name: string; avatar_url: string | null };

export type GroupBuyCampaignView = {
  id: string;
  title: string;
  product_id: string;
  image: string;
  skus: { sku_id: string; spec_text: string; price_fen: number; group_price_fen: number }[];
  group_size: number;
  tiers: { min_size: number; price_fen: number }[];
  max_size: number;
  leader_discount_fen: number;
  duration_minutes: number;
  starts_at: string;
  ends_at: string;
};

export type GroupBuyOpenRoom = { id: string; leader: Masked; seats_left: number; expires_at: string; server_time: string };

export type GroupBuyCampaignDetail = GroupBuyCampaignView & { open_rooms: GroupBuyOpenRoom[]; server_time: string };

export type GroupBuyRoomView = {
  id: string;
  campaign_id: string;
  status: 'open' | 'succeeded' | 'failed';
  size: number;
  paid_count: number;
  seats_left: number;
  current_tier_price_fen: number | null;
  members: (Masked & { is_leader: boolean; paid: boolean; simulated: boolean })[];
  expires_at: string;
  server_time: string;
  invite_code: string;
};

export type GroupBuySeat = { room: GroupBuyRoomView; order: Order; redirected?: boolean };

export type BargainCampaignView = {
  id: string;
  title: string;
  product_id: string;
  sku_id: string;
  image: string;
  start_price_fen: number;
  floor_price_fen: number;
  helpers_needed: number;
  session_minutes: number;
  buy_before_floor: boolean;
  ends_at: string;
};

export type BargainSessionView = {
  id: string;
  campaign_id: string;
  owner: Masked;
  is_owner: boolean;
  start_price_fen: number;
  floor_price_fen: number;
  current_price_fen: number;
  cut_total_fen: number;
  helpers_needed: number;
  helps: (Masked & { cut_fen: number; at: string })[];
  status: 'open' | 'floor_reached' | 'bought' | 'expired';
  can_buy: boolean;
  can_help: boolean;
  expires_at: string;
  server_time: string;
  order_id: string | null;
};

export type Page<T> = { items: T[]; next_cursor: string | null };
