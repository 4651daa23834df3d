import jsQR from "jsqr";
import { useEffect, useRef, useState } from "preact/hooks";
import { useI18n } from "../lib/i18n";

/**
 * Reads a QR code with the device camera (jsQR, vendored from npm) and hands its text over once.
 * The camera starts only when asked; typing the code (or a USB QR reader, which types) always works too.
 */
export function QrScanner({ onCode }: { onCode: (text: string) => void }) {
  const { t } = useI18n();
  const [on, setOn] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement>(null);

  useEffect(() => {
    if (!on) return;
    let stream: MediaStream | null = null;
    let frame = 0;
    let stopped = false;
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    const scan = () => {
      const v = video.current;
      if (stopped || !v || !context) return;
      if (v.readyState === v.HAVE_ENOUGH_DATA) {
        canvas.width = v.videoWidth;
        canvas.height = v.videoHeight;
        context.drawImage(v, 0, 0, canvas.width, canvas.height);
        const image = context.getImageData(0, 0, canvas.width, canvas.height);
        const found = jsQR(image.data, image.width, image.height);
        if (found?.data) {
          setOn(false);
          onCode(found.data);
          return;
        }
      }
      frame = requestAnimationFrame(scan);
    };
    navigator.mediaDevices
      ?.getUserMedia({ video: { facingMode: "environment" } })
      .then((s) => {
        stream = s;
        if (video.current) {
          video.current.srcObject = s;
          void video.current.play();
          frame = requestAnimationFrame(scan);
        }
      })
      .catch(() => {
        setProblem(t("staffapps.camera.unavailable"));
        setOn(false);
      });
    if (!navigator.mediaDevices) {
      setProblem(t("staffapps.camera.unavailable"));
      setOn(false);
    }
    return () => {
      stopped = true;
      cancelAnimationFrame(frame);
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, [on]);

  return (
    <div class="qr-scanner">
      <button type="button" class="button button--secondary" onClick={() => setOn(!on)} aria-pressed={on}>
        {on ? t("staffapps.camera.stop") : t("staffapps.camera.start")}
      </button>
      {on && <video ref={video} muted playsInline aria-label={t("staffapps.camera.label")} class="qr-scanner__video" />}
      {problem && <p class="field-error">{problem}</p>}
    </div>
  );
}
