// Service worker of the ticket status page: shows the city's Web Push notices (number, counter, link only).
self.addEventListener("push", (event) => {
  const data = event.data ? event.data.json() : { title: "Madoguchi", body: "" };
  const link = (data.body.match(/https?:\/\/\S+/) || [self.registration.scope])[0];
  event.waitUntil(self.registration.showNotification(data.title, { body: data.body, data: { link } }));
});
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(clients.openWindow(event.notification.data.link));
});
