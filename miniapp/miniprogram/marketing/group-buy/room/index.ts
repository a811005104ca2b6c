import { register } from '../../../lib/page';
import { groupBuyRoomPage } from './page';

register(groupBuyRoomPage);
