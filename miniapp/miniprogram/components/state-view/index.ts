import { register } from '../../lib/page';
import { stateView } from './component';

register(stateView);
