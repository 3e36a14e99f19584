import { router } from '../../trpc.ts';
import { imageHistory } from './image-history.ts';
import { inspectImage } from './inspect-image.ts';
import { listImages } from './list-images.ts';
import { pruneImages } from './prune-images.ts';
import { pullImage } from './pull-image.ts';
import { pushImage } from './push-image.ts';
import { removeImage } from './remove-image.ts';
import { searchImages } from './search-images.ts';
import { tagImage } from './tag-image.ts';

export const imagesRouter = router({ list: listImages, pull: pullImage, tag: tagImage, remove: removeImage, prune: pruneImages, inspect: inspectImage, search: searchImages, history: imageHistory, push: pushImage });
