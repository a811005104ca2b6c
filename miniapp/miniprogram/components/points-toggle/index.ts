import { register } from '../../lib/page';
import { pointsToggle } from './component';

register(pointsToggle);
