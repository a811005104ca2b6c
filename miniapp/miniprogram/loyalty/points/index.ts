import { register } from '../../lib/page';
import { pointsPage } from './page';

register(pointsPage);
