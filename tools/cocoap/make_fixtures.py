#!/usr/bin/env python3
"""Extra COCO bbox AP fixtures for test/metrics/cocoEval.test.ts (developer tool, not in the npm package).

Expected values come from the UNMODIFIED cocoapi PythonAPI (cocodataset/cocoapi @ COCOAPI_COMMIT, extracted
with `git archive`), with the same two run-time substitutions as ../shared/golden/cocoap (see its README):
pycocotools._mask -> that folder's np_mask.py (pure-numpy bbIou, checked bit-identical with the compiled
_mask there), numpy.float -> float. Debian 12 has no python3-pycocotools package, hence this route.

Cases:
  x0_typical, x1_hard, x2_edge  the golden generator's builders (golden/cocoap/make_cocoap.py) with new seeds
                                (seed offset 200: 211/212/213): misses, duplicates, crowds, small/medium boxes,
                                >100 detections in a frame, score ties, shuffled order
  x3_handmade                   written here: IoU exactly 0.5 / 0.75 / touching boxes, gt areas exactly 32^2
                                and 96^2, a second category (+ detections of a category the gt lacks), an image
                                with only a crowd gt, equal scores across images, a frame with 120 equal-score
                                detections (the 100 cut), gt-less frames

Usage (Debian python3 with python3-numpy 1.24 and python3-matplotlib; coco.py imports matplotlib):
  /usr/bin/python3 tools/cocoap/make_fixtures.py --cocoapi-git <bare git dir of cocodataset/cocoapi> \
      --golden ../shared/golden/cocoap --work <scratch> --out test/fixtures/cocoap
"""
import argparse
import contextlib
import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys

import numpy as np

COCOAPI_COMMIT = '8c9bcc3cf640524c4c20a9c40e89cb6a2f2fa0e9'
COCOAPI_FILES = ['PythonAPI/pycocotools/__init__.py', 'PythonAPI/pycocotools/coco.py',
                 'PythonAPI/pycocotools/cocoeval.py', 'PythonAPI/pycocotools/mask.py']
SEED_OFFSET = 200


def load_golden_generator(golden):
    spec = importlib.util.spec_from_file_location('make_cocoap', os.path.join(golden, 'make_cocoap.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def build_package(cocoapi_git, golden, work):
    d = os.path.join(work, 'pkg_np')
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    arch = subprocess.run(['git', '--git-dir', cocoapi_git, 'archive', COCOAPI_COMMIT] + COCOAPI_FILES,
                          check=True, capture_output=True).stdout
    subprocess.run(['tar', '-x', '-C', d, '--strip-components=1'], input=arch, check=True)
    shutil.copy(os.path.join(golden, 'np_mask.py'), os.path.join(d, 'pycocotools', '_mask.py'))
    return d


def handmade():
    """Edge cases written by hand; boxes [x, y, w, h]."""
    images = [{'id': i, 'file_name': f'{i}.jpg', 'height': 400, 'width': 400} for i in range(1, 11)]
    anns, dets = [], []

    def gt(img, bbox, cat=1, crowd=0, area=None):
        anns.append({'id': 100 + len(anns), 'image_id': img, 'category_id': cat, 'bbox': bbox,
                     'area': float(bbox[2] * bbox[3]) if area is None else area, 'iscrowd': crowd})

    def dt(img, bbox, score, cat=1):
        dets.append({'image_id': img, 'category_id': cat, 'bbox': bbox, 'score': score})

    # 1: IoU exactly 0.5 and 0.75 with a 100x100 gt; a touching box (overlap width 0)
    gt(1, [0.0, 0.0, 100.0, 100.0])
    dt(1, [0.0, 0.0, 100.0, 50.0], 0.9)
    dt(1, [0.0, 0.0, 100.0, 75.0], 0.8)
    dt(1, [100.0, 0.0, 50.0, 50.0], 0.7)
    # 2: gt areas exactly 32^2 (small and medium) and 96^2 (medium and large), matched and missed
    gt(2, [10.0, 10.0, 32.0, 32.0])
    gt(2, [100.0, 100.0, 96.0, 96.0])
    gt(2, [300.0, 10.0, 20.0, 20.0])
    dt(2, [10.0, 10.0, 32.0, 32.0], 0.6)
    dt(2, [102.0, 101.0, 95.0, 96.0], 0.6)
    dt(2, [250.0, 250.0, 30.0, 30.0], 0.6)
    # 3: a second category, and detections of category 7 that the gt does not list (dropped)
    gt(3, [50.0, 50.0, 200.0, 150.0], cat=2)
    gt(3, [60.0, 60.0, 180.0, 140.0], cat=1)
    dt(3, [52.0, 49.0, 198.0, 152.0], 0.95, cat=2)
    dt(3, [52.0, 49.0, 198.0, 152.0], 0.94, cat=1)
    dt(3, [61.0, 61.0, 178.0, 139.0], 0.5, cat=1)
    dt(3, [0.0, 0.0, 10.0, 10.0], 0.99, cat=7)
    # 4: only a crowd gt: detections inside it are ignored, outside count as false positives
    gt(4, [0.0, 0.0, 300.0, 300.0], crowd=1)
    dt(4, [10.0, 10.0, 100.0, 100.0], 0.85)
    dt(4, [20.0, 20.0, 50.0, 50.0], 0.84)
    dt(4, [320.0, 320.0, 50.0, 50.0], 0.83)
    # 5, 6: equal scores across images (stable order = image order, then file order)
    gt(5, [0.0, 0.0, 120.0, 200.0])
    gt(6, [10.0, 10.0, 120.0, 200.0])
    dt(6, [200.0, 200.0, 100.0, 100.0], 0.5)
    dt(5, [2.0, 1.0, 118.0, 199.0], 0.5)
    dt(6, [12.0, 10.0, 120.0, 198.0], 0.5)
    dt(5, [0.0, 0.0, 60.0, 200.0], 0.5)
    # 7: 120 detections with one score: the first 100 in file order are kept; the true box is number 110
    gt(7, [40.0, 40.0, 200.0, 200.0])
    for k in range(120):
        dt(7, [40.0, 40.0, 200.0, 200.0] if k == 110 else [float(k), 300.0, 20.0, 20.0], 0.3)
    # 8: a crowd gt next to a regular gt; one detection overlaps both
    gt(8, [0.0, 0.0, 100.0, 100.0])
    gt(8, [80.0, 0.0, 200.0, 200.0], crowd=1)
    dt(8, [5.0, 5.0, 100.0, 100.0], 0.7)
    dt(8, [90.0, 10.0, 100.0, 100.0], 0.75)
    # 9: detections only (no gt); 10: nothing at all
    dt(9, [10.0, 10.0, 50.0, 50.0], 0.9)
    gt_json = {'images': images, 'annotations': anns,
               'categories': [{'id': 1, 'name': 'ROI', 'supercategory': 'ROI'},
                              {'id': 2, 'name': 'other', 'supercategory': 'ROI'}]}
    return gt_json, dets, 'hand-written edge cases (see make_fixtures.py handmade())'


def worker(pkg, gt_path, dt_path):
    """Runs the unmodified COCO / loadRes / COCOeval calls as YOLOX's evaluator does (prints JSON)."""
    sys.path.insert(0, pkg)
    if 'float' not in np.__dict__:
        np.float = float
    with contextlib.redirect_stdout(io.StringIO()):
        from pycocotools.coco import COCO
        from pycocotools.cocoeval import COCOeval
        coco_gt = COCO(gt_path)
        coco_dt = coco_gt.loadRes(dt_path)
        ev = COCOeval(coco_gt, coco_dt, 'bbox')
        ev.evaluate()
        ev.accumulate()
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        ev.summarize()
    prec = np.asarray(ev.eval['precision'])
    rec = np.asarray(ev.eval['recall'])
    ious = {}
    for (img, cat), v in sorted(ev.ious.items()):
        ious[f'{img}:{cat}'] = v.tolist() if isinstance(v, np.ndarray) else v
    return dict(stats=[float(v) for v in ev.stats], summarize_text=buf.getvalue(),
                precision_shape=list(prec.shape), precision_full=prec.ravel().tolist(),
                recall_shape=list(rec.shape), recall_full=rec.ravel().tolist(),
                precision_all_100=prec[:, :, 0, 0, 2].tolist(), recall_all_100=rec[:, 0, 0, 2].tolist(),
                ious_by_image_cat=ious)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '--worker':
        print(json.dumps(worker(*sys.argv[2:5])))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--cocoapi-git', required=True)
    ap.add_argument('--golden', required=True, help='../shared/golden/cocoap (generator + np_mask.py)')
    ap.add_argument('--work', required=True)
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    gen = load_golden_generator(os.path.abspath(args.golden))
    pkg = build_package(args.cocoapi_git, os.path.abspath(args.golden), os.path.abspath(args.work))
    cases = []
    for name, (gname, fn) in zip(['x0_typical', 'x1_hard', 'x2_edge'], gen.CASES):
        seed = gen.BASE_SEEDS[gname] + SEED_OFFSET
        b, desc = fn(seed=seed)
        cases.append((name, b.gt_json(), b.dets, f'{desc} (golden generator, seed {seed})'))
    cases.append(('x3_handmade',) + handmade())
    for name, gt, dets, desc in cases:
        gp, dp = os.path.join(args.out, f'{name}.gt.json'), os.path.join(args.out, f'{name}.dt.json')
        with open(gp, 'w') as f:
            json.dump(gt, f)
        with open(dp, 'w') as f:
            json.dump(dets, f)
        out = subprocess.run([sys.executable, os.path.abspath(__file__), '--worker', pkg, gp, dp],
                             check=True, capture_output=True, text=True)
        res = dict(case=name, description=desc, cocoapi_commit=COCOAPI_COMMIT, numpy=np.__version__,
                   python=sys.version.split()[0], **json.loads(out.stdout))
        with open(os.path.join(args.out, f'{name}.json'), 'w') as f:
            json.dump(res, f)
            f.write('\n')
        print(name, [round(v, 6) for v in res['stats']], flush=True)


if __name__ == '__main__':
    main()
